# The agent-fanout worker image: `docker compose up` builds it for the `worker` service.
#
#   docker build -t agent-fanout .
#   docker run --init -e TEMPORAL_ADDRESS=temporal.example:7233 \
#     -v /srv/checkout:/srv/checkout agent-fanout worker --task-queue agent-fanout
#
# Debian (glibc), not Alpine: the Temporal SDK's native core is built for glibc. The image holds
# no agent CLI (claude, codex, ...): build your own image FROM this one that installs the agents
# your plans run (docs/deployment.md).

# --- build: compile TypeScript and prebuild the workflow bundle ----------------------------------
FROM node:20.20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the only install script that matters is this package's own postinstall, which
# fetches a Temporal CLI for the local dev server; a worker image has no use for it. (@swc/core and
# protobufjs have install scripts that only check their install; swc's native binary comes as an
# optional dependency either way.)
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# Writes dist/, including dist/workflow-bundle.js, which the worker loads instead of bundling.
RUN npm run build

# --- runtime: production dependencies, the compiled code, git -----------------------------------
FROM node:20.20-bookworm-slim AS runtime
LABEL org.opencontainers.image.title="agent-fanout" \
      org.opencontainers.image.description="Durable fan-out coordinator for AI coding agents, on Temporal: worker" \
      org.opencontainers.image.licenses="MIT"
# git: agents work on a checkout. ca-certificates: for agents that reach HTTPS services.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates git \
    && rm -rf /var/lib/apt/lists/*
# No NODE_ENV=production: agents inherit the worker's environment, and in the projects they work
# on it would make `npm install` skip devDependencies. --omit=dev below does that job here.
WORKDIR /app
COPY package.json package-lock.json ./
# The Temporal SDK's core-bridge package ships its native library for five platforms (~140 MB);
# keep only this image's. Fails the build when this platform's library is missing.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
    && npm cache clean --force \
    && releases=node_modules/@temporalio/core-bridge/releases \
    && keep="$(uname -m)-unknown-linux-gnu" \
    && test -d "$releases/$keep" \
    && find "$releases" -mindepth 1 -maxdepth 1 ! -name "$keep" -exec rm -rf {} +
COPY --from=build /app/dist ./dist
COPY bin ./bin
# The base image's unprivileged `node` user, by number (so runtimes that insist on a non-root uid
# can tell); docker-compose.yml runs it as the checkout's owner instead (FANOUT_UID).
USER 1000:1000
# glibc gives each of the worker's many threads (Node, V8, the SDK's Rust runtime) a malloc arena
# that keeps what it freed: two arenas cut the 10,000-unit bench's worker peak from about 400 to
# 330 MiB at the same speed (docs/scale.md). Agents inherit it, as they inherit the environment.
ENV MALLOC_ARENA_MAX=2
# On SIGTERM the worker exits within 10 s, leaving agents to be adopted; give it more than that
# (`docker stop -t`, compose stop_grace_period).
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/app/bin/agent-fanout.js"]
CMD ["worker"]
