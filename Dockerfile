# syntax=docker/dockerfile:1
# docker build -t notion-sweep .
# docker run --rm --env-file ./.env notion-sweep sweep --dry-run

# Build: a glibc binary that matches the runtime image's Debian 12.
FROM rust:1.89-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p notion-sweep \
 && cp target/release/notion-sweep /notion-sweep

# Run: no shell, no package manager, user 65532 (nonroot).
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /notion-sweep /usr/local/bin/notion-sweep
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/notion-sweep"]
CMD ["--help"]
