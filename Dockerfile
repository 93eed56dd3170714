# The codec-lab worker: the research loop and its status server. It reaches the host's Docker
# engine through the mounted socket (the one component allowed to) to run sandboxes, which
# never get it. Two ways to build the same image (deploy/README.md):
#  - where a registry is reachable: `docker build -t codec-lab-worker .` (BASE is
#    node:20-bookworm-slim; DEPS=install runs npm ci and the TypeScript build inside);
#  - offline: scripts/build-worker-image.sh, with BASE a local image made with debootstrap
#    and this host's Node 20 (deploy/worker-base/) and DEPS=context, which takes node_modules/
#    and dist/ from this checkout's build (scripts/setup.sh).
# Either way the build stage prunes to production dependencies and the final stage holds
# only the built output, those dependencies, the sandbox recipe and the assets.
ARG BASE=node:20-bookworm-slim

FROM ${BASE} AS build
ARG DEPS=install
WORKDIR /src
COPY . .
RUN set -eu; \
    test "$(node -p 'process.versions.node.split(".")[0]')" = 20 \
      || { echo "BASE must provide Node 20, found $(node --version)" >&2; exit 1; }; \
    case "$DEPS" in \
      install) rm -rf node_modules dist && npm ci --no-audit --no-fund && npm run build ;; \
      context) test -f dist/cli/main.js && test -d node_modules/better-sqlite3 \
                 || { echo "DEPS=context needs 'npm ci' and 'npm run build' first (scripts/setup.sh)" >&2; exit 1; } ;; \
      *) echo "DEPS is install or context, not $DEPS" >&2; exit 1 ;; \
    esac; \
    npm prune --omit=dev --offline --no-audit --no-fund; \
    rm -rf node_modules/better-sqlite3/build/Release/obj node_modules/better-sqlite3/build/Release/obj.target \
           node_modules/better-sqlite3/deps node_modules/better-sqlite3/src; \
    find node_modules -mindepth 1 -maxdepth 1 -type d -empty -delete; \
    mkdir /app; \
    cp -a package.json bin dist node_modules sandbox-image assets /app/; \
    node /app/bin/codec-lab.js --help >/dev/null; \
    node -e "require('/app/node_modules/better-sqlite3')(':memory:').prepare('select 1').get()"

FROM ${BASE}
# tini is PID 1: it forwards SIGTERM to node and reaps ffmpeg's leftovers. The local base
# ships it; a registry base gets it from Debian.
RUN set -eu; \
    if [ ! -x /usr/bin/tini ]; then \
      apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*; \
    fi; \
    useradd --system --uid 10000 --user-group --home-dir /nonexistent --no-create-home \
      --shell /usr/sbin/nologin codec-lab; \
    install -d -o 10000 -g 10000 -m 0750 /data
COPY --from=build /app /app
# The status server listens on all of the container's interfaces; `docker run -p` decides
# which host address it is published on (deploy/worker.sh: 127.0.0.1 unless configured).
ENV NODE_ENV=production \
    HOME=/tmp \
    CODEC_LAB_DATA_DIR=/data \
    CODEC_LAB_CACHE_DIR=/data/cache \
    CODEC_LAB_HOST=0.0.0.0 \
    CODEC_LAB_PORT=8080
USER 10000:10000
WORKDIR /app
EXPOSE 8080
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.CODEC_LAB_PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/bin/codec-lab.js"]
CMD ["run", "--serve"]
