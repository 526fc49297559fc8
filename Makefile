# SPDX-License-Identifier: GPL-2.0
#
# xtcp: an experimental TCP-like transport, as a Linux kernel module.
#
#   make            build module/xtcp.ko against KDIR
#   make demo       boot a VM, load xtcp and show it working
#   make check      every test: build checks, unit tests, VM selftests
#   make vm         interactive shell in the test VM, xtcp loaded
#   make clean
#
# KDIR defaults to the running kernel's build tree when there is one,
# else to the newest Debian linux-headers-*-amd64 installed.  `make check`,
# `make demo` and `make vm` always build against the kernel the VM boots.
# W=1 (extra warnings) and C=1 (sparse) are passed to kbuild.

ROOT := $(CURDIR)
RUNNING_KDIR := /lib/modules/$(shell uname -r)/build
DEBIAN_KDIR := $(lastword $(sort $(wildcard /usr/src/linux-headers-*-amd64)))
KDIR ?= $(if $(wildcard $(RUNNING_KDIR)),$(RUNNING_KDIR),$(DEBIAN_KDIR))

all: module

module:
	$(if $(KDIR),,$(error no kernel headers: run scripts/deps.sh --build))
	$(MAKE) -C $(KDIR) M=$(ROOT) modules

check:
	scripts/check.sh

demo:
	scripts/demo.sh

vm:
	scripts/demo.sh --shell

clean:
	$(if $(KDIR),$(MAKE) -C $(KDIR) M=$(ROOT) clean)
	rm -rf build

.PHONY: all module check demo vm clean
