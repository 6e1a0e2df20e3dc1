#!/usr/bin/env bash
# Builds a minimal Java base image as a docker-save tarball, from this machine's JDK and C library,
# without a container daemon or registry:
#   /opt/java  a jlink runtime made from $JAVA_HOME (java.se + the modules Quarkus uses)
#   the shared libraries that runtime links against, copied from the host at the same paths
#   /etc/passwd and /etc/group naming the uid 185 the image runs as, and a world-writable /tmp
# Jib takes it as a base with -Dparley.image.base=tar://<file>. It stands in for a registry base image
# where none is reachable (as in this project's CI); it is as portable as the host's glibc, so for
# published images prefer the registry base (the `image` profile's default).
#
# usage: .ci/local-base-image.sh <output.tar>
set -euo pipefail

out=$(realpath -m "${1:?usage: $0 <output.tar>}")
java_home=${JAVA_HOME:?JAVA_HOME must point at a JDK with jlink}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
mkdir -p "$root/etc" "$root/tmp" "$root/deployments"
chmod 1777 "$root/tmp"

"$java_home/bin/jlink" \
    --add-modules java.se,jdk.unsupported,jdk.crypto.ec,jdk.zipfs,jdk.naming.dns,jdk.management,jdk.localedata \
    --include-locales en \
    --strip-debug --no-man-pages --no-header-files \
    --output "$root/opt/java"

# Every library the runtime's executables and shared objects need, at the path the loader finds it
# (leaving out the desktop ones: the service runs headless and never loads X11 or sound).
find "$root/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \) \
    ! -name libawt_xawt.so ! -name libjawt.so ! -name libsplashscreen.so ! -name libjsound.so -print0 \
    | xargs -0 ldd 2>/dev/null \
    | awk '/=> \// { print $3 } /^\t\/[^ ]+ \(/ { print $1 }' \
    | sort -u \
    | while read -r lib; do
        case "$lib" in "$root"/*) continue ;; esac
        mkdir -p "$root$(dirname "$lib")"
        cp -L "$lib" "$root$lib"
    done

cat > "$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/sbin/nologin
default:x:185:0:default user:/deployments:/sbin/nologin
EOF
cat > "$root/etc/group" <<'EOF'
root:x:0:
EOF

# One reproducible layer.
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$root" -cf "$work/layer.tar" .
diff_id=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
cat > "$work/config.json" <<EOF
{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z",
 "config":{"Env":["PATH=/opt/java/bin:/usr/bin:/bin","JAVA_HOME=/opt/java"],"User":"185","WorkingDir":"/deployments"},
 "rootfs":{"type":"layers","diff_ids":["sha256:$diff_id"]},
 "history":[{"created":"1970-01-01T00:00:00Z","created_by":".ci/local-base-image.sh","comment":"jlink runtime from $("$java_home/bin/java" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.runtime.version/ {print $2}')"}]}
EOF
cat > "$work/manifest.json" <<'EOF'
[{"Config":"config.json","RepoTags":["parley-local-base:latest"],"Layers":["layer.tar"]}]
EOF
mkdir -p "$(dirname "$out")"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$work" -cf "$out" manifest.json config.json layer.tar
echo "Base image tarball: $out ($(du -h "$out" | cut -f1))"
