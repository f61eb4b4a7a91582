# The tokenctl container image, for CI jobs:
#   docker run --rm -e BUILDKITE_API_TOKEN ghcr.io/tokenctl/tokenctl:VERSION revoke ...
# goreleaser builds it (dockers_v2 in .goreleaser.yaml) from the release
# binaries, which it places at $TARGETPLATFORM/tokenctl in the build context.
# The binary is static (CGO_ENABLED=0); the distroless base adds only CA
# certificates, time zone data and a non-root user.
FROM gcr.io/distroless/static-debian12:nonroot
ARG TARGETPLATFORM
COPY $TARGETPLATFORM/tokenctl /usr/bin/tokenctl
USER nonroot:nonroot
ENTRYPOINT ["/usr/bin/tokenctl"]
