# System dependencies. Each missing one stops configuration with one message naming the Debian
# package that provides it; scripts/install-deps installs all of them.
find_package(PkgConfig)
if(NOT PkgConfig_FOUND)
	message(FATAL_ERROR "svart: pkg-config not found. Install it: apt-get install pkg-config "
		"(or run scripts/install-deps)")
endif()
find_package(Threads REQUIRED)

add_library(svart_deps INTERFACE)

# svart_require_pc(<var> <pkg-config module> <Debian package>)
function(svart_require_pc var module debpkg)
	pkg_check_modules(${var} QUIET IMPORTED_TARGET GLOBAL ${module})
	if(NOT ${var}_FOUND)
		message(FATAL_ERROR "svart: missing dependency '${module}'. Install the Debian package "
			"'${debpkg}' (apt-get install ${debpkg}), or run scripts/install-deps")
	endif()
endfunction()

svart_require_pc(ACCFG libaccel-config libaccel-config-dev)
svart_require_pc(HWLOC hwloc libhwloc-dev)
svart_require_pc(IBVERBS libibverbs libibverbs-dev)
svart_require_pc(ISAL libisal libisal-dev)
svart_require_pc(ZLIB zlib zlib1g-dev)
svart_require_pc(NUMA numa libnuma-dev)

if(NOT EXISTS /usr/include/linux/idxd.h)
	message(FATAL_ERROR "svart: <linux/idxd.h> not found. Install 'linux-libc-dev'")
endif()

# Linked privately by libsvart.so; carried as a usage requirement by libsvart.a.
target_link_libraries(svart_deps INTERFACE
	$<BUILD_INTERFACE:PkgConfig::ACCFG>
	$<BUILD_INTERFACE:PkgConfig::HWLOC>
	$<BUILD_INTERFACE:PkgConfig::ISAL>
	$<BUILD_INTERFACE:PkgConfig::ZLIB>
	$<BUILD_INTERFACE:PkgConfig::NUMA>
	$<INSTALL_INTERFACE:accel-config>
	$<INSTALL_INTERFACE:hwloc>
	$<INSTALL_INTERFACE:isal>
	$<INSTALL_INTERFACE:z>
	$<INSTALL_INTERFACE:numa>
	Threads::Threads ${CMAKE_DL_LIBS} rt)

# Google Benchmark (C++), only for bench/.
if(SVART_BUILD_BENCH)
	find_package(benchmark QUIET)
	if(NOT benchmark_FOUND)
		message(FATAL_ERROR "svart: Google Benchmark not found. Install 'libbenchmark-dev' "
			"(or configure with -DSVART_BUILD_BENCH=OFF)")
	endif()
endif()
