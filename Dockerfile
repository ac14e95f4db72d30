# llm-deploy: the predict server and the deploy tool in one image (ENTRYPOINT llm-deploy, default `serve`).
#
#   docker build -t llm-deploy .                                                  # CPU provider only
#   docker build --build-arg ONNXRUNTIME_NODE_INSTALL=cuda12 -t llm-deploy:cuda .  # + onnxruntime's CUDA provider
#   docker build --build-arg WITH_DEMO_MODEL=false -t llm-deploy:slim .           # without the demo model
#   docker run --rm -p 5000:5000 llm-deploy                                       # serves the demo model
#
# Settings come at run time (`-e`, `--env-file`, or Vertex AI's AIP_* variables); none are baked in.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# skip: the CPU provider ships inside the onnxruntime-node package, nothing is downloaded.
# cuda12: its install script also fetches the CUDA provider (needs network access to its package feed).
ARG ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json .npmrc ./
RUN ONNXRUNTIME_NODE_INSTALL="${ONNXRUNTIME_NODE_INSTALL}" npm ci --omit=dev \
 && npm cache clean --force
# The rest of the context (see .dockerignore): bin/, src/, tsconfig.json and models/demo-t5 when present.
COPY . ./
ARG WITH_DEMO_MODEL=true
RUN if [ "${WITH_DEMO_MODEL}" != "true" ]; then rm -rf models; fi \
 && find src -name '*.test.ts' -delete

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app /app
RUN ln -s /app/bin/llm-deploy.js /usr/local/bin/llm-deploy
# The node user (uid 1000) of the base image; its home holds the model cache (~/.cache/llm-deploy).
USER node
EXPOSE 5000
ENTRYPOINT ["llm-deploy"]
CMD ["serve"]
