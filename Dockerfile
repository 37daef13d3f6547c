# The service image: API + worker (run one role per container with the CMD override in docker-compose.yml).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# A smaller young generation (~20 MB less per process), and a 1 GB old space: V8 scales how far it lets
# the heap grow past its live data with this limit (up to 4x at the default ~4 GB, <=1.6x at 1 GB), so
# the processes peak ~110 MB lower together under load for ~5% more CPU (see README, Performance).
ENV NODE_OPTIONS="--max-semi-space-size=4 --max-old-space-size=1024"
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
EXPOSE 3000
CMD ["node", "dist/api/main.js"]
