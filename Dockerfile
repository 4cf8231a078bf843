# syntax=docker/dockerfile:1

# kalshi-ingestor image. Stages:
#   base     the pinned Node LTS slim image every stage starts from
#   build    every dependency (npm ci) and the TypeScript build (npm run build): packages/client/dist, dist/
#   deps     production dependencies only (npm ci --omit=dev)
#   runtime  base + production node_modules + dist/ + sql/, run as the unprivileged `node` user (1000)
#
# One image runs the service (the default CMD), the migration (node dist/db/migrate-cli.js) and the Kalshi
# simulator (node dist/sim/main.js). npm is not used at runtime.
#   docker build -t kalshi-ingestor .

FROM node:24.21.0-bookworm-slim AS base
WORKDIR /app

FROM base AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# The workspace's manifest must be there for npm ci to link node_modules/@kalshi-ingestor/client.
COPY packages/client/package.json ./packages/client/
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY packages/client/tsconfig.json packages/client/tsconfig.build.json ./packages/client/
COPY packages/client/src ./packages/client/src
COPY src ./src
RUN npm run build

FROM base AS deps
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json .npmrc ./
COPY packages/client/package.json ./packages/client/
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund

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
