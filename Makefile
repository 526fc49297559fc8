# SPDX-License-Identifier: GPL-2.0
#
# xtcp: an experimental TCP-like transport, as a Linux kernel module.
#
#   make            build module/xtcp.ko against KDIR
#   make demo       boot a VM, load xtcp and show it working
#   make check      every test: build checks, unit tests, VM selftests on
#                   the Debian kernel and on the debug kernel
#   make check-debug  only the debug-kernel lane (KASAN, lockdep, kmemleak,
#                   coverage); its kernel is built once, then cached in
#                   $XTCP_CACHE_DIR (default /var/cache/xtcp)
#   make coverage   the module's line and branch coverage by the selftests
#                   (runs the debug lane if its data is missing or stale)
#   make bench      xtcp against Linux TCP in one VM boot: medians and
#                   ratios of stream, rr, crr, lossy and memory workloads
#                   (not part of make check)
#   make vm         interactive shell in the test VM, xtcp loaded
#   make tools      build tools/xtcpize (libxtcpize.so and xtcpize) and
#                   tools/xtcp-ss
#   make install    install xtcp.ko and xtcp_diag.ko in
#                   /lib/modules/KVER/extra (KVER: the kernel of KDIR)
#                   and run depmod, and xtcpize with its
#                   library and man page under PREFIX (/usr/local);
#                   DESTDIR is honoured (then depmod is left to the package)
#   make uninstall  remove what make install installed
#   make deb        build the xtcp-dkms Debian package (debian/, dh-dkms)
#                   in build/deb from a copy of the tree
#   make fsm-table  rewrite Documentation/xtcp.rst's state table from
#                   module/xtcp_fsm.h (make check fails if they differ)
#   make clean
#
# KDIR defaults to the running kernel's build tree when there is one,
# else to the newest Debian linux-headers-*-amd64 installed.  `make check`,
# `make demo` and `make vm` always build against the kernel the VM boots.
# W=1 (extra warnings) and C=1 (sparse) are passed to kbuild, and so is
# XTCP_GCOV=1 (gcov profiling of the module, for a CONFIG_GCOV_KERNEL kernel).

ROOT := $(CURDIR)
RUNNING_KDIR := /lib/modules/$(shell uname -r)/build
DEBIAN_KDIR := $(lastword $(sort $(wildcard /usr/src/linux-headers-*-amd64)))
KDIR ?= $(if $(wildcard $(RUNNING_KDIR)),$(RUNNING_KDIR),$(DEBIAN_KDIR))

# The release of the kernel KDIR belongs to, where make install puts the
# module (Debian's headers say "6.1.192" in include/config/kernel.release,
# the version of the source, not the release).
KVER ?= $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"$$/\1/p' \
	$(KDIR)/include/generated/utsrelease.h 2>/dev/null)
PREFIX ?= /usr/local
MODDIR := /lib/modules/$(KVER)/extra

all: module tools

module:
	$(if $(KDIR),,$(error no kernel headers: run scripts/deps.sh --build))
	$(MAKE) -C $(KDIR) M=$(ROOT) modules

tools:
	$(MAKE) -C tools/xtcpize PREFIX=$(PREFIX)
	$(MAKE) -C tools/xtcp-ss PREFIX=$(PREFIX)

install: module tools
	$(if $(KVER),,$(error cannot tell the kernel release of $(KDIR)))
	install -D -m 644 module/xtcp.ko $(DESTDIR)$(MODDIR)/xtcp.ko
	install -D -m 644 module/xtcp_diag.ko $(DESTDIR)$(MODDIR)/xtcp_diag.ko
	$(if $(DESTDIR),,depmod -a $(KVER))
	$(MAKE) -C tools/xtcpize PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) install
	$(MAKE) -C tools/xtcp-ss PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) install

uninstall:
	$(if $(KVER),,$(error cannot tell the kernel release of $(KDIR)))
	rm -f $(DESTDIR)$(MODDIR)/xtcp.ko $(DESTDIR)$(MODDIR)/xtcp_diag.ko
	$(if $(DESTDIR),,depmod -a $(KVER))
	$(MAKE) -C tools/xtcpize PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) uninstall
	$(MAKE) -C tools/xtcp-ss PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) uninstall

deb:
	scripts/deb.sh

check:
	scripts/check.sh

check-debug:
	scripts/check-debug.sh

coverage:
	scripts/coverage.sh

demo:
	scripts/demo.sh

bench:
	scripts/bench.sh

vm:
	scripts/demo.sh --shell

fsm-table:
	scripts/fsm-table.sh --update

clean:
	$(if $(KDIR),$(MAKE) -C $(KDIR) M=$(ROOT) clean)
	$(MAKE) -C tools/xtcpize clean
	$(MAKE) -C tools/xtcp-ss clean
	rm -rf build

.PHONY: all module tools install uninstall deb check check-debug coverage demo \
	bench vm fsm-table clean
