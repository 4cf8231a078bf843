# syntax=docker/dockerfile:1

# kalshi-ingestor image. Stages:
#   base     the pinned Node LTS slim image every stage starts from
#   build    every dependency (npm ci) and the TypeScript builds: packages/client/dist, packages/kalshi-sim/dist, dist/
#   deps     production dependencies only (npm ci --omit=dev), without the links to the dev-only workspace packages
#   sim      the Kalshi simulator alone (node packages/kalshi-sim/dist/main.js), for docker compose: --target sim
#   runtime  base + production node_modules + dist/ + sql/, run as the unprivileged `node` user (1000); no simulator,
#            benchmark or demo code
#
# The default image (runtime, the last stage) runs the service (the default CMD) and the migration
# (node dist/db/migrate-cli.js). npm is not used at runtime.
#   docker build -t kalshi-ingestor .
#   docker build --target sim -t kalshi-ingestor-sim .

FROM node:24.21.0-bookworm-slim AS base
WORKDIR /app

FROM base AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# Every workspace's manifest must be there for npm ci to install the workspaces (node_modules/@kalshi-ingestor/*).
COPY packages/client/package.json ./packages/client/
COPY packages/kalshi-sim/package.json ./packages/kalshi-sim/
COPY examples/activity-watcher/package.json ./examples/activity-watcher/
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY packages/client/tsconfig.json packages/client/tsconfig.build.json ./packages/client/
COPY packages/client/src ./packages/client/src
COPY packages/kalshi-sim/tsconfig.json packages/kalshi-sim/tsconfig.build.json ./packages/kalshi-sim/
COPY packages/kalshi-sim/src ./packages/kalshi-sim/src
COPY src ./src
# The client, the simulator (for the sim stage) and the service; not `npm run build`, which also builds the example.
RUN npm run build --silent -w packages/client && npm run build --silent -w packages/kalshi-sim && npx tsc -p tsconfig.build.json

FROM base AS deps
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json .npmrc ./
COPY packages/client/package.json ./packages/client/
COPY packages/kalshi-sim/package.json ./packages/kalshi-sim/
COPY examples/activity-watcher/package.json ./examples/activity-watcher/
# The simulator and the example are not in the image: their links would point at nothing.
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund \
 && rm node_modules/@kalshi-ingestor/kalshi-sim node_modules/@kalshi-ingestor/activity-watcher

FROM base AS sim
LABEL org.opencontainers.image.title="kalshi-ingestor-sim" \
      org.opencontainers.image.description="The Kalshi exchange simulator kalshi-ingestor is tested against (not for production)" \
      org.opencontainers.image.licenses="UNLICENSED"
WORKDIR /app
ENV NODE_ENV=production
# Its dependencies (ws, @sinclair/typebox) are the service's production dependencies too.
COPY --from=deps /app/node_modules ./node_modules
COPY packages/kalshi-sim/package.json ./packages/kalshi-sim/
COPY --from=build /app/packages/kalshi-sim/dist ./packages/kalshi-sim/dist
USER 1000:1000
EXPOSE 9090
CMD ["node", "packages/kalshi-sim/dist/main.js"]

FROM base AS runtime
LABEL org.opencontainers.image.title="kalshi-ingestor" \
      org.opencontainers.image.description="Holds the Kalshi WebSocket, writes prices to Postgres in batches and publishes them on Redis" \
      org.opencontainers.image.licenses="UNLICENSED"
WORKDIR /app
ENV NODE_ENV=production
# Everything stays owned by root and read-only for the service user: the process cannot rewrite its own code.
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
# node_modules/@kalshi-ingestor/client is a link to the workspace package: its manifest and build.
COPY packages/client/package.json ./packages/client/
COPY --from=build /app/packages/client/dist ./packages/client/dist
COPY --from=build /app/dist ./dist
COPY sql ./sql
# uid:gid 1000:1000 is the `node` user of the official image, numeric so that Kubernetes can check runAsNonRoot.
USER 1000:1000
EXPOSE 8080
# Exec form: node is PID 1 and gets SIGTERM itself (the service flushes and releases its leader lock on it).
CMD ["node", "dist/main.js"]
