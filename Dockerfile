# llm-deploy: the predict server and the deploy tool in one image (ENTRYPOINT llm-deploy, default `serve`).
#
#   docker build -t llm-deploy .                                                  # CPU provider only
#   docker build --build-arg ONNXRUNTIME_NODE_INSTALL=cuda12 -t llm-deploy:cuda .  # + onnxruntime's CUDA provider
#   docker build --build-arg WITH_DEMO_MODEL=false -t llm-deploy:slim .           # without the demo models
#   docker run --rm -p 5000:5000 llm-deploy                                       # serves the demo model
#
# Settings come at run time (`-e`, `--env-file`, or Vertex AI's AIP_* variables); none are baked in.
# The image runs the compiled JavaScript (dist/ from `npm run build`), not the TypeScript sources.

# Node 24 LTS on Debian 12, slim variant: https://hub.docker.com/_/node
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# skip: the CPU provider ships inside the onnxruntime-node package, nothing is downloaded.
# cuda12: its install script also fetches the CUDA provider (needs network access to its package feed).
ARG ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json .npmrc ./
# Development dependencies too: the build needs typescript.
RUN ONNXRUNTIME_NODE_INSTALL="${ONNXRUNTIME_NODE_INSTALL}" npm ci
# The rest of the context (see .dockerignore): bin/, src/, tsconfig*.json, scripts/build.mjs, models/.
COPY . ./
ARG WITH_DEMO_MODEL=true
# Compile src/ into dist/, then drop the development dependencies (tsx, typescript, ...) in place, which
# keeps an onnxruntime CUDA provider fetched above: https://docs.npmjs.com/cli/v11/commands/npm-prune
RUN npm run build \
 && npm prune --omit=dev \
 && npm cache clean --force \
 && if [ "${WITH_DEMO_MODEL}" != "true" ]; then rm -rf models/demo-t5 models/demo-llama; fi \
 && mkdir -p models

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
# Only what runs: no src/, no TypeScript, no development dependencies (bin/ runs dist/ when src/ is absent).
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/models ./models
RUN ln -s /app/bin/llm-deploy.js /usr/local/bin/llm-deploy
# The node user (uid 1000) of the base image; its home holds the model cache (~/.cache/llm-deploy).
USER node
EXPOSE 5000
ENTRYPOINT ["llm-deploy"]
CMD ["serve"]
