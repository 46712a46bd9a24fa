# gutskin: a small, static, non-root image.
#
#   docker build --build-arg VERSION=$(git describe --tags --always) -t gutskin .
#   docker run --env-file .env -v gutskin-data:/data --read-only gutskin
#
# CI builds this very file with buildah against local stand-ins for the two
# base images below, because no registry is reachable there (see .ci/container).

# ---- build stage: a static binary with the library embedded ----------------
FROM golang:1.26 AS build
WORKDIR /src
# Module downloads go through this proxy (--build-arg GOPROXY=... behind a
# company proxy; CI passes its own).
ARG GOPROXY=https://proxy.golang.org,direct
# GOTOOLCHAIN=local: build with the image's Go, never download another.
ENV CGO_ENABLED=0 GOTOOLCHAIN=local
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download
COPY . .
ARG VERSION=dev
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/gutskin . \
 && mkdir -p /out/data/index /out/data/corpus

# ---- runtime stage -----------------------------------------------------------
# distroless/static rather than scratch: it already has what a static Go
# program needs and nothing else (CA certificates for discord.com, tzdata,
# /etc/passwd with an unprivileged "nonroot" user 65532, a /tmp), no shell, no
# package manager, and Google rebuilds it for Debian security updates. Built
# from scratch we would have to assemble and maintain the same files ourselves.
FROM gcr.io/distroless/static-debian12:nonroot
ARG VERSION=dev
LABEL org.opencontainers.image.title="gutskin" \
      org.opencontainers.image.description="Answers gut-skin axis questions from a library of cited articles, on Discord" \
      org.opencontainers.image.version="${VERSION}"

COPY --from=build /out/gutskin /gutskin
# /data belongs to nonroot, so a fresh named volume is writable by the bot.
COPY --from=build --chown=65532:65532 /out/data /data

# nonroot, numerically, so that Kubernetes' runAsNonRoot can verify it.
USER 65532:65532
ENV INDEX_DIR=/data/index \
    CORPUS_DIR=/data/corpus \
    DATA_DIR=/data \
    LOG_FORMAT=json \
    HEALTH_ADDR=:8080
VOLUME /data
EXPOSE 8080
# No shell in this image: the binary checks itself (GET /readyz on loopback).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["/gutskin", "health"]
ENTRYPOINT ["/gutskin"]
CMD ["serve"]
