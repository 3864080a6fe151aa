# syntax=docker/dockerfile:1
ARG TARGETARCH=amd64
ARG BASE=scratch TARGETOS=linux
FROM scratch AS linux-amd64
COPY bin/amd64 /app
FROM scratch AS linux-arm64
COPY bin/arm64 /app
FROM linux-${TARGETARCH}
