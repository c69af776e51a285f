#!/usr/bin/env bash
# Builds the Debian package: fulcrum_VERSION_ARCH.deb with /usr/lib/fulcrum (the published binary), /usr/bin/fulcrum,
# the systemd unit, /etc/fulcrum/fulcrum.yaml (a conffile), and the sysusers.d and tmpfiles.d entries that the postinst
# applies (the user fulcrum, /run/fulcrum). docs/operations.md.
#
#   packaging/debian/build.sh                                  # dotnet publish -c Release --self-contained first
#   packaging/debian/build.sh --from DIR [--out DIR] [--version 1.2.3]
#
# Without --from the package carries its own .NET runtime (a self-contained publish for the package's architecture), so
# it installs on a Debian machine without .NET. --from takes an existing build output (the one with the fulcrum apphost
# and fulcrum.dll); a framework-dependent one needs the ASP.NET Core 10 runtime on the machine, and the package's
# description says so. The package goes to --out (default packaging/debian/out). The version defaults to 0.1.0+git<commit>.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
FROM="" OUT="$HERE/out" VERSION=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --from) FROM=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --version) VERSION=$2; shift 2 ;;
    *) sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
  esac
done

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
ARCH=$(dpkg --print-architecture)
if [[ -z $FROM ]]; then
  case $ARCH in
    amd64) RID=linux-x64 ;;
    arm64) RID=linux-arm64 ;;
    *) echo "build.sh: no .NET runtime for $ARCH; publish yourself and pass --from" >&2; exit 2 ;;
  esac
  dotnet publish "$ROOT/src/Fulcrum/Fulcrum.csproj" -c Release -r "$RID" --self-contained -o "$WORK/publish" --nologo -v q
  FROM=$WORK/publish
fi
[[ -x $FROM/fulcrum && -f $FROM/fulcrum.dll ]] || { echo "build.sh: $FROM has no fulcrum apphost and fulcrum.dll" >&2; exit 2; }
VERSION=${VERSION:-0.1.0+git$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo local)}
# A self-contained build carries the runtime (libcoreclr.so beside the apphost); otherwise the machine must have it.
if [[ -f $FROM/libcoreclr.so ]]; then
  RUNTIME_NOTE=" It carries its own .NET runtime."
else
  RUNTIME_NOTE=" It needs the ASP.NET Core 10 runtime (packages.microsoft.com's aspnetcore-runtime-10.0, or a copy in /usr/share/dotnet or \$DOTNET_ROOT)."
fi

STAGE=$WORK/stage
install -d "$STAGE/DEBIAN" "$STAGE/usr/lib/fulcrum" "$STAGE/usr/bin" "$STAGE/lib/systemd/system" "$STAGE/etc/fulcrum" \
  "$STAGE/usr/lib/sysusers.d" "$STAGE/usr/lib/tmpfiles.d" "$STAGE/usr/share/doc/fulcrum"
tar -C "$FROM" --exclude='*.pdb' -cf - . | tar -C "$STAGE/usr/lib/fulcrum" -xf -
chmod -R u=rwX,go=rX "$STAGE/usr/lib/fulcrum"
ln -s /usr/lib/fulcrum/fulcrum "$STAGE/usr/bin/fulcrum"
install -m 644 "$HERE/fulcrum.service" "$STAGE/lib/systemd/system/fulcrum.service"
install -m 644 "$HERE/fulcrum.yaml" "$STAGE/etc/fulcrum/fulcrum.yaml"
install -m 644 "$HERE/sysusers.conf" "$STAGE/usr/lib/sysusers.d/fulcrum.conf"
install -m 644 "$HERE/tmpfiles.conf" "$STAGE/usr/lib/tmpfiles.d/fulcrum.conf"
cat > "$STAGE/usr/share/doc/fulcrum/README" <<TEXT
Fulcrum $VERSION. The config is /etc/fulcrum/fulcrum.yaml; 'systemctl reload fulcrum' applies it,
'journalctl -u fulcrum' shows the log. The documentation is in the source tree's docs/ folder
(configuration.md, operations.md, ha.md).
TEXT
for script in postinst prerm postrm; do install -m 755 "$HERE/$script" "$STAGE/DEBIAN/$script"; done
echo /etc/fulcrum/fulcrum.yaml > "$STAGE/DEBIAN/conffiles"
SIZE=$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" -e "s/@SIZE@/$SIZE/" -e "s|@RUNTIME@|$RUNTIME_NOTE|" "$HERE/control.in" > "$STAGE/DEBIAN/control"

mkdir -p "$OUT"
PACKAGE="$OUT/fulcrum_${VERSION}_${ARCH}.deb"
dpkg-deb --root-owner-group -Zgzip --build "$STAGE" "$PACKAGE" >/dev/null
echo "$PACKAGE"
