# syntax=docker/dockerfile:1
#
# meshguard's container image: compile in a full Node image, run on distroless Node 24.
# Base images are pinned by digest (a tag can be moved under us; a digest cannot). Both digests are
# the ones found pinned in several public repositories' Dockerfiles via code search (the runtime one
# as `gcr.io/distroless/nodejs24-debian12:nonroot@sha256:14d42e25…` in at least six of them); before a
# release, refresh and verify them with `crane digest <image>:<tag>` (or `docker buildx imagetools
# inspect`), since no registry of images is reachable from the machine this was written on.

# --- build: install everything, compile, then keep only runtime dependencies --------------------
# node:24-bookworm-slim, for npm and a glibc matching the distroless runtime (Debian 12).
FROM node:24-bookworm-slim@sha256:2fe369e969550cde8e867afc3fe370b260140cab4a23d467074295b42163d553 AS build
WORKDIR /src
# Manifests first: the dependency layer is rebuilt only when they change.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# tsc -p tsconfig.build.json -> dist/src (TypeScript is compiled here; nothing parses it at runtime).
RUN npm run build
# Reinstall from the lockfile without devDependencies (npm ci empties node_modules first); dist/ stays.
RUN npm ci --omit=dev --no-audit --no-fund

# --- runtime: node and the compiled server, nothing else (no shell, no npm) ----------------------
FROM gcr.io/distroless/nodejs24-debian12:nonroot@sha256:14d42e2511532589a7c7e01a753667a74fcc96266e137e8125006b87b0c32d0a
WORKDIR /app
# --max-semi-space-size=8: V8 sizes its young generation for throughput (up to 3 × 16 MiB semi-spaces
# here) and keeps what it grew; 8 MiB holds a request's garbage with RSS ~45 MiB lower under load for a
# few percent more scavenges (bench/RESULTS.md; the bench runs meshguard with these same options).
ENV NODE_ENV=production \
    NODE_OPTIONS="--enable-source-maps --max-semi-space-size=8"
# Only what runs: package.json ("type": "module"), runtime node_modules, the compiled server.
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist/src ./dist/src
# The distroless "nonroot" user; the chart runs it with runAsNonRoot and a read-only root filesystem.
USER 65532:65532
# 8443: admission (HTTPS); 8080: /healthz, /readyz, /metrics (HTTP).
EXPOSE 8443 8080
# node is PID 1 and receives SIGTERM itself (exec form, no npm or shell in between), so the server
# drains in-flight reviews. The chart passes the same arguments; flags come from MESHGUARD_* env.
ENTRYPOINT ["/nodejs/bin/node"]
CMD ["dist/src/cli/main.js", "serve"]
