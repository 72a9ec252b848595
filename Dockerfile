# syntax=docker/dockerfile:1.7
# The tryon service image (CPU): one image, the role is the command (npm run api | worker | start); see the README's Operations section.

# --- deps: every package (the dashboard build needs the dev ones) -------------------------------
FROM node:20-bookworm-slim AS deps
WORKDIR /app
# onnxruntime-node's postinstall downloads the CUDA provider on linux/x64 unless told not to: the CPU image skips it.
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund

# --- build: the designer dashboard (Vite) into dist/dashboard ------------------------------------
FROM deps AS build
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build:dashboard

# --- prod-deps: drop the dev packages (tsx stays: the processes run the TypeScript sources) -------
FROM deps AS prod-deps
RUN npm prune --omit=dev --no-audit --no-fund && npm cache clean --force

# --- runtime ---------------------------------------------------------------------------------------
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    PORT=3000 \
    METRICS_PORT=9464 \
    DATA_DIR=/data
WORKDIR /app
# A fixed uid so volumes can be prepared for it; no login shell, no sudo.
RUN groupadd --system --gid 10001 tryon \
 && useradd --system --uid 10001 --gid tryon --create-home --home-dir /home/tryon --shell /usr/sbin/nologin tryon \
 && mkdir -p /data && chown tryon:tryon /data
COPY --from=prod-deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY bin ./bin
COPY models ./models
COPY samples ./samples
COPY src ./src
COPY workers ./workers
COPY --from=build /app/dist/dashboard ./dist/dashboard
USER tryon
EXPOSE 3000 9464
# No curl in the slim image: node's fetch. The API answers on PORT; worker containers override the check with METRICS_PORT (compose).
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# The role: `npm run api` (HTTP API), `npm run worker` (prepare+render+webhook workers), `npm start` (all-in-one).
CMD ["npm", "run", "api"]
