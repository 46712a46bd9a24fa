package main

import (
	"context"
	"fmt"
	"io"
)

// runHealth checks a running bot's readiness. Placeholder until it lands.
func runHealth(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "gutskin: health is not built yet")
	return exitRuntime
}
