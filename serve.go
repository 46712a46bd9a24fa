package main

import (
	"context"
	"fmt"
	"io"
)

// runServe runs the Discord bot. Placeholder until the bot lands.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "gutskin: serve is not built yet")
	return exitRuntime
}
