// A tiny ASP.NET Core app configured for port 80, as .NET 6 and 7 images
// were: by ASPNETCORE_URLS=http://+:80, or, with an argument, in code.
//   dotnet aspnetapp.dll                  ASPNETCORE_URLS decides
//   dotnet aspnetapp.dll --use-urls       UseUrls("http://*:80")
//   dotnet aspnetapp.dll --listen-any     Listen(IPAddress.Any, 80)
using System.Net;
using System.Runtime.InteropServices;
using System.Text.Json.Serialization;

var builder = WebApplication.CreateBuilder(args);
// JSON from generated code: a NativeAOT build has no reflection for it.
builder.Services.ConfigureHttpJsonOptions(options =>
    options.SerializerOptions.TypeInfoResolverChain.Insert(0, AppJson.Default));
if (args.Contains("--use-urls"))
    builder.WebHost.UseUrls("http://*:80");
if (args.Contains("--listen-any"))
    builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Any, 80));

var app = builder.Build();

// The port the app believes it serves on, from the accepted socket.
app.MapGet("/", (HttpContext context) =>
    $"hello from ASP.NET Core on port {context.Connection.LocalPort}\n");

// Like the aspnetapp sample's /Environment.
app.MapGet("/Environment", (HttpContext context) => new EnvironmentInfo(
    RuntimeInformation.FrameworkDescription,
    RuntimeInformation.OSDescription,
    RuntimeInformation.OSArchitecture.ToString(),
    Environment.ProcessorCount,
    Environment.UserName,
    context.Connection.LocalPort));

app.MapGet("/health", () => "healthy\n");

app.Run();

record EnvironmentInfo(string runtimeVersion, string osVersion,
    string osArchitecture, int processorCount, string user, int localPort);

[JsonSerializable(typeof(EnvironmentInfo))]
partial class AppJson : JsonSerializerContext
{
}
