# syntax=docker/dockerfile:1
ARG TARGETARCH
FROM scratch AS linux-amd64
COPY bin/amd64 /app
FROM scratch AS linux-arm64
COPY bin/arm64 /app
FROM linux-${TARGETARCH}
# Inside a stage a default is harmless: it is that stage's own scope.
ARG TARGETARCH=amd64
