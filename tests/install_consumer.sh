#!/usr/bin/env bash
# Installs svart into a temporary prefix and builds two consumers against it, one with
# pkg-config and one with find_package(svart); checks libsvart.so exports only svart_*.
set -euo pipefail
: "${SVART_BINARY_DIR:?}" "${CMAKE_COMMAND:=cmake}"

# A sanitizer build's libsvart needs the sanitizer runtime: consumers get the same flags.
cflags=""
if grep -q '^SVART_SANITIZE:BOOL=ON' "$SVART_BINARY_DIR/CMakeCache.txt" 2>/dev/null; then
	cflags="-fsanitize=address,undefined"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix="$tmp/prefix"

"$CMAKE_COMMAND" --install "$SVART_BINARY_DIR" --prefix "$prefix" >/dev/null

lib=$(find "$prefix" -name 'libsvart.so' | head -n1)
[ -n "$lib" ] || { echo "FAIL: libsvart.so not installed"; exit 1; }

# Only svart_* may be exported (defined, global, in .text/.data).
# Symbols carry the version node (svart_x@@SVART_0.1); strip it before matching.
syms=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRWV]$/ {sub(/@.*/, "", $3); print $3}')
bad=$(echo "$syms" | grep -v '^svart_' || true)
if [ -n "$bad" ]; then
	echo "FAIL: libsvart.so exports non-svart symbols:"; echo "$bad" | head -20; exit 1
fi
echo "$syms" | grep -qx 'svart_strerror' || { echo "FAIL: svart_strerror not exported"; exit 1; }
nm -D --defined-only "$lib" | grep -q 'svart_strerror@@SVART_0\.1$' ||
	{ echo "FAIL: svart_strerror lacks the SVART_0.1 version node"; exit 1; }

cat > "$tmp/app.c" <<'C'
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <svart.h>
int main(void)
{
	if (strcmp(svart_strerror(-ENOENT), "No such file or directory"))
		return 1;
	printf("svart %s\n", svart_version());
	return 0;
}
C

# pkg-config consumer
pcdir=$(dirname "$(find "$prefix" -name svart.pc | head -n1)")
PKG_CONFIG_PATH="$pcdir" cc $cflags -o "$tmp/app_pc" "$tmp/app.c" $(PKG_CONFIG_PATH="$pcdir" pkg-config --cflags --libs svart)
LD_LIBRARY_PATH="$(dirname "$lib")" "$tmp/app_pc" | grep -q '^svart 0\.' || { echo "FAIL: pkg-config consumer"; exit 1; }

# CMake consumer, shared and static
mkdir -p "$tmp/cm"
cp "$tmp/app.c" "$tmp/cm/app.c"
cat > "$tmp/cm/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.25)
project(consumer C)
find_package(svart 0.1 REQUIRED)
add_executable(app_shared app.c)
target_link_libraries(app_shared PRIVATE svart::svart)
add_executable(app_static app.c)
target_link_libraries(app_static PRIVATE svart::svart_static)
CM
"$CMAKE_COMMAND" -S "$tmp/cm" -B "$tmp/cm/build" -DCMAKE_PREFIX_PATH="$prefix" \
	-DCMAKE_C_FLAGS="$cflags" -DCMAKE_EXE_LINKER_FLAGS="$cflags" >/dev/null
"$CMAKE_COMMAND" --build "$tmp/cm/build" >/dev/null
LD_LIBRARY_PATH="$(dirname "$lib")" "$tmp/cm/build/app_shared" | grep -q '^svart 0\.' || { echo "FAIL: find_package shared consumer"; exit 1; }
"$tmp/cm/build/app_static" | grep -q '^svart 0\.' || { echo "FAIL: find_package static consumer"; exit 1; }

echo "install_consumer: ok (pkg-config, find_package shared+static, exports svart_* only)"
