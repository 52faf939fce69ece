# The ASP.NET Core example, published for the suite.

# The ASP.NET Core example in three builds, each published once when the
# .NET SDK is there, into APPS (shared by every BUILD: C flags do not change
# them): .NET 10 framework-dependent, .NET 8 self-contained, and NativeAOT
# (which needs clang and zlib). One that cannot be made here leaves
# NAME.skip with the reason, and its tests skip, saying it.
DOTNET := $(shell command -v dotnet 2>/dev/null)
DOTNET_ENV = DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 \
	     DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
APPS ?= build/apps
APP_NAMES = aspnetapp aspnetapp-net8 aspnetapp-aot
APP_STAMPS = $(if $(DOTNET),$(APP_NAMES:%=$(APPS)/%.stamp))
PUBLISH_aspnetapp = -f net10.0
PUBLISH_aspnetapp-net8 = -f net8.0 -r linux-x64 --self-contained
PUBLISH_aspnetapp-aot = -f net10.0 -r linux-x64 -p:PublishAot=true

$(APP_NAMES:%=$(APPS)/%.stamp): $(APPS)/%.stamp: \
    examples/aspnetapp/Program.cs examples/aspnetapp/aspnetapp.csproj
	@mkdir -p $(APPS); rm -rf $(APPS)/$* $(APPS)/$*.skip
	@echo "publishing $* ($(PUBLISH_$*))"; \
	$(DOTNET_ENV) $(DOTNET) publish examples/aspnetapp -c Release --nologo \
	    $(PUBLISH_$*) --artifacts-path $(APPS)/artifacts-$* \
	    -o $(APPS)/$* >$(APPS)/$*.log 2>&1 || { rm -rf $(APPS)/$*; \
	    echo "$* could not be published here ($(PUBLISH_$*)): $$(grep \
	    -m 1 -E 'error' $(APPS)/$*.log)" >$(APPS)/$*.skip; \
	    cat $(APPS)/$*.skip; }
	@touch $@
