# Multi-stage build on the current Node LTS: compile, then run the JavaScript with
# production dependencies only. It holds none of a team's job code: their workers run
# in images of their own (docs/workers.md, examples/remote-worker/).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json prisma.config.ts ./
# The packages (the typed client, the worker SDK) are workspaces: npm ci needs their manifests.
COPY packages/client/package.json ./packages/client/
COPY packages/worker/package.json ./packages/worker/
COPY prisma ./prisma
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY packages ./packages
COPY src ./src
# The packages (their declarations and JavaScript), then the service against them.
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
# node_modules/@jobgraph/worker links here: defineHandler and PermanentError for the
# service and for HANDLERS_DIR modules (tsx, a dependency, loads their .ts).
COPY --from=build /app/packages/worker/package.json ./packages/worker/
COPY --from=build /app/packages/worker/dist ./packages/worker/dist
COPY --from=build /app/dist ./dist
COPY --from=build /app/src/generated ./src/generated
COPY prisma ./prisma
COPY public ./public
COPY package.json ./
# Files jobs write (data.export, image.resize) go to OUTPUT_DIR, relative to /app: the
# image's user must own it (mount a volume here to keep them).
RUN mkdir -p /app/output && chown node:node /app/output
USER node
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/src/index.js"]
