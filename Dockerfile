# The timetracker-ci image: one static binary, nothing else.
#
# The binary is cross-compiled for each platform beforehand with GOARCH
# (scripts/build-image.sh), never built under emulation, so this builds
# offline with no base image to pull. BuildKit sets TARGETARCH per platform;
# with the classic builder pass --platform and --build-arg TARGETARCH.
# One stage per architecture because the classic builder gets the platform
# of a scratch image wrong for any step before the first COPY.
# No default: under BuildKit a global default wins over the platform's value
# and every platform would get the amd64 binary (scripts/test-image-platforms.sh).
ARG TARGETARCH

FROM scratch AS linux-amd64
COPY dist/bin/linux-amd64/timetracker-ci /timetracker-ci

FROM scratch AS linux-arm64
COPY dist/bin/linux-arm64/timetracker-ci /timetracker-ci

FROM linux-${TARGETARCH}
ENTRYPOINT ["/timetracker-ci"]
