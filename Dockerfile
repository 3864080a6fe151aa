# The timetracker-ci image: one static binary, nothing else.
#
# The binary is cross-compiled for each platform beforehand with GOARCH
# (scripts/build-image.sh), never built under emulation, so this builds
# offline with no base image to pull. One stage per architecture, each
# complete, and the last stage picks one:
#   - BuildKit (buildx, as ci.yml and release.yml build it): TARGETARCH is
#     predefined in the global scope per platform. It is NOT declared here:
#     a global default (ARG TARGETARCH=amd64) wins over the platform's value,
#     which put the amd64 binary in the arm64 image, and Docker 20.10's
#     BuildKit blanks even a declaration without a default.
#   - the classic builder has no TARGETARCH: build one stage with
#     --target linux-<arch> --platform linux/<arch>.
# TestImagePlatforms (actions/) builds it with BuildKit for each platform and
# reads the ELF header of the binary each one holds.

FROM scratch AS linux-amd64
COPY dist/bin/linux-amd64/timetracker-ci /timetracker-ci
ENTRYPOINT ["/timetracker-ci"]

FROM scratch AS linux-arm64
COPY dist/bin/linux-arm64/timetracker-ci /timetracker-ci
ENTRYPOINT ["/timetracker-ci"]

FROM linux-${TARGETARCH}
