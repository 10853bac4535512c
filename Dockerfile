# The operator, the edge agent and the advisor, from one recipe: they share every build step (sources, production
# dependencies, type stripping) and differ only in the workspace they install and the command they run.
#
#   docker build --target operator -t roast-operator:0.1.0 .
#   docker build --target edge-node -t roast-operator-edge:0.1.0 --platform linux/arm64 .
#   docker build --target advisor -t roast-operator-advisor:0.1.0 .
#   buildah bud --target operator --build-arg BASE=localhost/roast-operator/node-base:24 ...
#
# BASE is any Node 24 image with node and npm under /usr/local (the official images' layout) and a user
# `node` (uid 1000). The image ships type-stripped JavaScript, production dependencies only, owned by root
# and read-only to the process, which runs as `node`; it writes nothing to its root filesystem.
ARG BASE=docker.io/library/node:24-bookworm-slim

# Sources and dependencies are the same for every platform (no native code is built: the one native
# package, usb, ships prebuilt N-API binaries for every platform), so these stages run once on the build
# machine. The dependency install sees only the manifests, so it is reused while they are unchanged.
FROM --platform=$BUILDPLATFORM ${BASE} AS source
WORKDIR /src
COPY package.json package-lock.json ./
COPY libs/ libs/
COPY operator/ operator/
COPY edge-node/ edge-node/
COPY advisor/ advisor/
COPY tools/ tools/

FROM source AS manifests
RUN ["node", "tools/images/src/manifests.ts", "/src", "/manifests"]

# The libraries the operator imports take zod, yaml and the Kubernetes client from the root manifest.
FROM --platform=$BUILDPLATFORM ${BASE} AS operator-build
WORKDIR /src
COPY --from=manifests /manifests/ ./
RUN ["node", "/usr/local/lib/node_modules/npm/bin/npm-cli.js", "ci", "--omit=dev", "--ignore-scripts", "--prefer-offline", "--no-audit", "--no-fund", "--workspace=operator", "--include-workspace-root"]
COPY --from=source /src/ ./
RUN ["node", "tools/images/src/strip-types.ts", "/src", "/app", "operator"]

FROM --platform=$BUILDPLATFORM ${BASE} AS edge-node-build
WORKDIR /src
COPY --from=manifests /manifests/ ./
RUN ["node", "/usr/local/lib/node_modules/npm/bin/npm-cli.js", "ci", "--omit=dev", "--ignore-scripts", "--prefer-offline", "--no-audit", "--no-fund", "--workspace=edge-node"]
COPY --from=source /src/ ./
RUN ["node", "tools/images/src/strip-types.ts", "/src", "/app", "edge-node"]

FROM --platform=$BUILDPLATFORM ${BASE} AS advisor-build
WORKDIR /src
COPY --from=manifests /manifests/ ./
RUN ["node", "/usr/local/lib/node_modules/npm/bin/npm-cli.js", "ci", "--omit=dev", "--ignore-scripts", "--prefer-offline", "--no-audit", "--no-fund", "--workspace=advisor", "--include-workspace-root"]
COPY --from=source /src/ ./
RUN ["node", "tools/images/src/strip-types.ts", "/src", "/app", "advisor"]

# What every image is: the tree copied in owned by root (read-only to the process), run as `node`.
FROM ${BASE} AS runtime
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="Apache-2.0"
WORKDIR /app
ENV NODE_ENV=production
USER 1000:1000
# The command is each image's entry point alone, not the base's `node`.
CMD []

FROM runtime AS operator
LABEL org.opencontainers.image.title="roast-operator" \
      org.opencontainers.image.description="Runs a fleet of coffee roasters under bounded autonomy: governs CommandProposals, keeps each Roaster's autonomy and emergency-stop latch, serves the edge link."
COPY --from=operator-build /app /app
ENTRYPOINT ["node", "operator/src/main.js"]

FROM runtime AS edge-node
LABEL org.opencontainers.image.title="roast-operator-edge" \
      org.opencontainers.image.description="The edge agent: drives an Aillio Bullet R1 over USB (or a simulated R1), enforces local safety, streams telemetry to the operator."
COPY --from=edge-node-build /app /app
ENTRYPOINT ["node", "edge-node/src/main.js"]

FROM runtime AS advisor
LABEL org.opencontainers.image.title="roast-operator-advisor" \
      org.opencontainers.image.description="The advisor: follows live roasts against their profiles and proposes the smallest change that brings each back, as a CommandProposal people approve."
COPY --from=advisor-build /app /app
ENTRYPOINT ["node", "advisor/src/main.js"]
