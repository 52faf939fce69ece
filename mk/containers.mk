# make check-containers: the examples built and run in a real container
# engine (tests/containers.sh): podman with runc, configured for the tests
# only under $(BUILD)/containers, on stand-ins of the base images. As root;
# apart from make check, which it does not slow down.

check-containers: $(LIBRARY) $(TOOL) $(BUILD)/tests/go-static dist
	@mkdir -p $(REPORTS)
	@$(RUN_LOGGED) containers env BUILD=$(BUILD) sh tests/containers.sh

.PHONY: check-containers
