#!/usr/bin/env python3
"""Checks the packed packages as a user meets them on a package page and in a debugger.

    python3 .ci/check-packages.py artifacts/package/*.nupkg

Each .nupkg must carry its own README (with its install lines at the packed version, a code example and only absolute
links), its icon, its licence, its release notes and XML docs; its .snupkg must hold a portable PDB whose Source Link
maps the sources to the repository URL of the .nuspec. Exits non-zero with every failure listed.
"""
import re, sys, zipfile

REPOSITORY = "https://github.com/fiberproduct/FiberProduct"
LICENCES = {"FiberProduct.Datasets": "MIT AND CC-BY-4.0"}  # the others: MIT


def check(nupkg):
    problems = []
    def need(condition, what):
        if not condition:
            problems.append(what)
    z = zipfile.ZipFile(nupkg)
    names = z.namelist()
    nuspec = z.read(next(n for n in names if n.endswith(".nuspec"))).decode("utf-8")
    package = re.search(r"<id>([^<]+)</id>", nuspec).group(1)
    version = re.search(r"<version>([^<]+)</version>", nuspec).group(1)

    need("<readme>README.md</readme>" in nuspec and "README.md" in names, "README.md missing or not declared")
    tool = '<packageType name="DotnetTool"' in nuspec
    if "README.md" in names:
        readme = z.read("README.md").decode("utf-8")
        if tool:  # a dotnet tool: installed as a command, its page shows the command line
            need(f"dotnet tool install --global {package}" in readme, f"install line 'dotnet tool install --global {package}' missing")
            need("```sh" in readme, "no command-line example")
        else:
            need(readme.startswith("# " + package + "\n"), "README is not the package's own (its title is not " + package + ")")
            install = re.search(rf"dotnet add package {re.escape(package)}( --version (\S+))?\s", readme)
            need(install is not None and install.group(2) in (None, version), f"install line 'dotnet add package {package}' missing or not at {version}")
            need(f"#:package {package}@{version}" in readme, f"script line '#:package {package}@{version}' missing")
            need("```csharp" in readme, "no C# example")
        relative = [link for link in re.findall(r"\]\(([^)]+)\)", readme) if not link.startswith(("https://", "http://"))]
        need(not relative, "relative links (broken on a package page): " + ", ".join(relative))
        if package == "FiberProduct.Datasets":
            need("CC BY 4.0" in readme and "COCO" in readme and "creativecommons.org/licenses/by/4.0" in readme,
                 "the captions' CC BY 4.0 attribution is missing from the README")

    need("<icon>icon.png</icon>" in nuspec, "icon not declared")
    need("icon.png" in names and z.read("icon.png")[:8] == b"\x89PNG\r\n\x1a\n" if "icon.png" in names else False, "icon.png missing or not a PNG")

    licence = LICENCES.get(package, "MIT")
    need(f'<license type="expression">{licence}</license>' in nuspec, f"licence expression is not '{licence}'")

    notes = re.search(r"<releaseNotes>(.*?)</releaseNotes>", nuspec, re.S)
    need(notes is not None and version in notes.group(1), f"release notes missing or not about {version}")

    need(any(n.endswith(package + ".xml") for n in names), "XML documentation missing")
    need(f'<repository type="git" url="{REPOSITORY}"' in nuspec, "repository URL is not " + REPOSITORY)
    need(re.search(r'<repository [^>]*commit="[0-9a-f]{40}"', nuspec) is not None, "repository commit missing")
    need(f"<projectUrl>{REPOSITORY}</projectUrl>" in nuspec, "project URL is not " + REPOSITORY)

    if package == "FiberProduct.Datasets":
        need("data/coco-clip-500/LICENSE-embeddings.txt" in names and "data/coco-clip-500/README.md" in names,
             "the data's notices are missing")
        dll = z.read(next(n for n in names if n.endswith(package + ".dll")))
        need(b"coco-clip-500/features_clip.npy" in dll, "embedded data missing")

    # Source Link: the PDB's Source Link JSON (stored uncompressed) maps the repository to its raw content at a commit.
    snupkg = nupkg[: -len(".nupkg")] + ".snupkg"
    try:
        symbols = zipfile.ZipFile(snupkg)
        pdb = symbols.read(next(n for n in symbols.namelist() if n.endswith(package + ".pdb")))
        raw = "https://raw.githubusercontent.com/" + REPOSITORY.split("github.com/")[1] + "/"
        mapping = re.search(rb'\{"documents":\{"[^"]*":"([^"]*)"\}\}', pdb)
        need(mapping is not None and mapping.group(1).decode().startswith(raw) and re.search(r"/[0-9a-f]{40}/\*$", mapping.group(1).decode()),
             "Source Link does not map to " + raw + "<commit>/*" + (f" (found {mapping.group(1).decode()})" if mapping else " (no Source Link JSON)"))
    except (FileNotFoundError, StopIteration):
        problems.append("symbols package or its PDB missing")
    return package, problems


failed = False
for path in sys.argv[1:]:
    package, problems = check(path)
    for problem in problems:
        print(f"{package}: {problem}")
    failed |= bool(problems)
    if not problems:
        print("checked", package)
if not sys.argv[1:]:
    print("no package given"); failed = True
sys.exit(1 if failed else 0)
