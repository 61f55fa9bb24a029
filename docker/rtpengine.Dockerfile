# rtpengine for docker/compose.yaml: Debian's package (10.5 on bookworm), run in user space
# (--table=-1), so the container needs no kernel module and no extra privileges.
FROM debian:12-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends rtpengine-daemon rtpengine-recording-daemon \
 && rm -rf /var/lib/apt/lists/*
USER nobody
CMD ["rtpengine", "--foreground", "--table=-1", "--interface=eth0", "--listen-ng=0.0.0.0:22222", "--port-min=40000", "--port-max=40099", "--log-stderr"]
