# Triton with NVIDIA's FasterTransformer backend: the image USE_FASTER_TRANSFORMER pods run (TRITON_IMAGE).
# The stock tritonserver image ships no fastertransformer backend, so the model never loads there. Built as the
# backend's own docker/Dockerfile does (cmake against the r<TRITON_VERSION> Triton repos, installed into
# /opt/tritonserver): https://github.com/triton-inference-server/fastertransformer_backend/blob/main/docker/Dockerfile
ARG TRITON_VERSION=22.12
FROM nvcr.io/nvidia/tritonserver:${TRITON_VERSION}-py3 AS build
ARG TRITON_VERSION
ARG FT_BACKEND_REF=main
RUN apt-get update \
 && apt-get install -y --no-install-recommends git rapidjson-dev libb64-dev libz-dev python3-dev \
 && pip3 install --no-cache-dir cmake==3.24.3 \
 && rm -rf /var/lib/apt/lists/*
RUN git clone --depth 1 --branch "${FT_BACKEND_REF}" https://github.com/triton-inference-server/fastertransformer_backend.git /src
WORKDIR /src/build
RUN cmake -D CMAKE_BUILD_TYPE=Release -D ENABLE_FP8=OFF -D CMAKE_INSTALL_PREFIX=/opt/tritonserver \
      -D TRITON_COMMON_REPO_TAG="r${TRITON_VERSION}" -D TRITON_CORE_REPO_TAG="r${TRITON_VERSION}" \
      -D TRITON_BACKEND_REPO_TAG="r${TRITON_VERSION}" .. \
 && make -j"$(nproc)" install

FROM nvcr.io/nvidia/tritonserver:${TRITON_VERSION}-py3
COPY --from=build /opt/tritonserver/backends/fastertransformer /opt/tritonserver/backends/fastertransformer
# NCCL between tensor-parallel ranks in one process, as the backend's image sets it
ENV NCCL_LAUNCH_MODE=GROUP
