# One image for every poolnet service; the compose file picks the entry point per service.
# The build stage compiles the product only (tsconfig.build.json: apps, libs, migrations);
# scripts/check-image-build.py fails CI when it would compile a file this stage does not copy.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps apps
COPY libs libs
COPY migrations migrations
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production
# The services listen on 127.0.0.1 unless told otherwise (npm start has no tokens); in a
# container only what is published reaches it.
ENV HOST=0.0.0.0
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
# The gRPC service loads its .proto at run time.
COPY --from=build /app/libs/contracts/proto libs/contracts/proto
RUN mkdir -p /var/lib/poolnet && chown node:node /var/lib/poolnet
USER node
EXPOSE 3000 8080 50051
CMD ["node", "dist/apps/pool-master/src/main.js"]

# A member host on a real hypervisor (compose profile `ovs`): drives the host's Open vSwitch
# through ovs-vsctl/ovs-ofctl and tc, which need root and the host's network namespace, and runs
# ISC dhclient for host interfaces in DHCP mode.
FROM runtime AS ovs
USER root
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends openvswitch-switch iproute2 isc-dhcp-client \
 && rm -rf /var/lib/apt/lists/*
CMD ["node", "dist/apps/member-host/src/main.js"]

# Last, so a plain `docker build .` gives the image every other service runs.
FROM runtime
