# make nupkg: build/dist/PortRemap.VERSION.nupkg, packed by the .NET SDK
# from make dist's libraries (nuget/); make check-nupkg: the package as a
# .NET team uses it (tests/nupkg.sh: publishes, a run, container images).

NUPKG = $(DIST)/PortRemap.$(VERSION).nupkg

nupkg: dist
	$(DOTNET_ENV) $(DOTNET) pack nuget/PortRemap.csproj -c Release --nologo \
	    -p:Version=$(VERSION) -p:PortRemapTree=$(abspath $(DIST))/tree \
	    --artifacts-path $(BUILD)/nupkg-artifacts -o $(DIST)
	@echo "nupkg: $(NUPKG)"

check-nupkg: nupkg
	@mkdir -p $(REPORTS)
	@$(RUN_LOGGED) nupkg env BUILD=$(BUILD) VERSION=$(VERSION) \
	    sh tests/nupkg.sh

.PHONY: nupkg check-nupkg
