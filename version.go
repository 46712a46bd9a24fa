package main

// version is gutskin's release, stamped at build time with
// -ldflags "-X main.version=v1.2.3" (the Dockerfile's VERSION build argument).
// It shows in the health endpoints and in logs.
var version = "dev"
