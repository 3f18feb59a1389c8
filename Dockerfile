# hookbridge container image.
#
#   docker build -t hookbridge:0.1.0 --build-arg REVISION=$(git rev-parse HEAD) .
#   docker run --rm -e CKEDITOR_WEBHOOK_SECRET=... -e HOOKBRIDGE_TOKEN_SHA256=... \
#     -p 8080:8080 -p 50051:50051 hookbridge:0.1.0
#
# The default config (config/hookbridge.yaml) takes the webhook secret and
# the SHA-256 of the subscriber token from the environment; without them the
# process exits 2 naming the missing variable. Make a token and its hash with
#   docker run --rm hookbridge:0.1.0 --mint-token default
# (or `openssl rand -base64 32` and `sha256sum`).
#
# The build stage uses the README's own scripts (scripts/setup.sh installs the
# Debian packages, scripts/build.sh configures and builds), so the image is
# built exactly as a developer or CI builds. The runtime stage holds only the
# shared libraries the executables link against, found with
# `ldd build/bin/hookbridge` and `dpkg -S` on each library.
#
# BINARIES=prebuilt (scripts/image.sh --prebuilt) skips the build stage and
# takes the executables from dist/image-bin/ in the build context instead:
# what scripts/build.sh has just made on this same Debian 12, stripped. The
# tests use it so that the image costs no second build.
ARG BINARIES=build

# ---- build -----------------------------------------------------------------
FROM debian:bookworm AS build
WORKDIR /src
# Packages first, in their own layer: it is rebuilt only when setup.sh changes.
COPY scripts/ scripts/
RUN scripts/setup.sh --build-only && rm -rf /var/lib/apt/lists/*
COPY . .
# The commit built from (the same REVISION as the runtime stage's label):
# the build context has no .git, so the binary's hookbridge_build_info and
# --version take it from here ("unknown" without it).
ARG REVISION=unknown
# Only the executables are built; the tests are not even configured. With
# the flags of scripts/build.sh's default (-O2, what docs/BENCHMARKS.md
# measures), stripped; -O3 (Release) made them 0.7 MB larger.
RUN HOOKBRIDGE_REVISION="${REVISION}" HOOKBRIDGE_TARGETS="hookbridge hookbridge-tail hookbridge-ctl" \
      HOOKBRIDGE_BUILD_DIR=/build CMAKE_BUILD_TYPE=RelWithDebInfo \
      scripts/build.sh -DHOOKBRIDGE_BUILD_TESTS=OFF \
 && strip /build/bin/hookbridge /build/bin/hookbridge-tail /build/bin/hookbridge-ctl

# ---- prebuilt: the executables from the build context ------------------------
FROM debian:bookworm-slim AS prebuilt
COPY dist/image-bin/hookbridge dist/image-bin/hookbridge-tail dist/image-bin/hookbridge-ctl /build/bin/

# The stage the runtime takes its executables from: build or prebuilt.
FROM ${BINARIES:-build} AS binaries

# ---- runtime ---------------------------------------------------------------
FROM debian:bookworm-slim
# OCI labels: VERSION defaults to the project version (CMakeLists.txt);
# REVISION is the commit built from (scripts/image.sh passes it).
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="hookbridge" \
      org.opencontainers.image.description="Signed webhooks in, a typed gRPC event stream out" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="https://github.com/hookbridge/hookbridge" \
      org.opencontainers.image.licenses="Apache-2.0"
# Runtime libraries of hookbridge, hookbridge-tail and hookbridge-ctl (libstdc++6, libgcc-s1
# and libc6 are in the base image). ca-certificates: for outgoing TLS.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libgrpc++1.51 libgrpc29 libprotobuf32 libabsl20220623 libre2-9 libc-ares2 \
      libyaml-cpp0.7 libprometheus-cpp-core1.0 libnats3.4 libsimdjson14 libssl3 zlib1g ca-certificates \
 && apt-get clean && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 hookbridge \
 && useradd --system --uid 10001 --gid hookbridge --home-dir /var/lib/hookbridge \
      --no-create-home --shell /usr/sbin/nologin hookbridge \
 && install -d -o hookbridge -g hookbridge -m 0750 /var/lib/hookbridge
COPY --from=binaries /build/bin/hookbridge /build/bin/hookbridge-tail /build/bin/hookbridge-ctl /usr/local/bin/
COPY config/hookbridge.yaml /etc/hookbridge/hookbridge.yaml

# The event log (log.dir) lives on the data volume; nothing else is written,
# so the root filesystem may be read-only.
ENV HOOKBRIDGE_LOG_DIR=/var/lib/hookbridge/log
VOLUME /var/lib/hookbridge
WORKDIR /var/lib/hookbridge
USER 10001:10001

# webhooks (http), EventBridgeService (grpc), /metrics /healthz /readyz (admin: keep internal)
EXPOSE 8080 50051 9090
# GET /healthz on the admin port with bash's /dev/tcp (no curl in the image);
# the port follows HOOKBRIDGE_ADMIN_LISTEN as the config does. The admin port
# opens once the log is recovered: 5 retries leave a large log minutes for that
# (no --start-period: dockerfilelint 1.8 rejects the option).
HEALTHCHECK --interval=30s --timeout=5s --retries=5 \
  CMD ["bash", "-c", "a=${HOOKBRIDGE_ADMIN_LISTEN:-0.0.0.0:9090}; exec 3<>/dev/tcp/127.0.0.1/${a##*:} && printf 'GET /healthz HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && read -r -t 4 _ status _ <&3 && [ \"$status\" = 200 ]"]

ENTRYPOINT ["/usr/local/bin/hookbridge"]
CMD ["--config", "/etc/hookbridge/hookbridge.yaml"]
