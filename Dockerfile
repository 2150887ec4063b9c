# Birdline: one image, Postgres beside it (compose.yaml), or the embedded
# database in /app/data when DATABASE_URL is unset.
FROM node:20-bookworm-slim AS build
WORKDIR /app
# Everything `npm ci` reads goes in before it: postinstall applies patches/
# (the database driver's fix, decision 005); copied after, it would be skipped
# without an error. tests/unit/dockerfile.test.ts checks this.
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --no-audit --no-fund
COPY . .
# The prune keeps typescript (an optional peer of @react-router/node): nothing runs it in production.
RUN npx react-router build && npm prune --omit=dev && rm -rf node_modules/typescript

FROM node:20-bookworm-slim
# Listening on every interface is deployed mode: the container refuses to boot
# without APP_URL (and the other settings deployed mode needs), saying which.
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0 \
    DATA_DIR=/app/data \
    BIRDLINE_SKIP_BUILD=1
WORKDIR /app
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/build ./build
COPY --from=build --chown=node:node /app/drizzle ./drizzle
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/scripts/start.mjs ./scripts/
RUN mkdir -p /app/data && chown node:node /app/data
USER node
VOLUME ["/app/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# Compiled JavaScript with plain node: no TypeScript loader in the image (`npm run db:migrate` works too).
CMD ["node", "build/server/server.js"]
