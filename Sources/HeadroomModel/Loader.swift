import Foundation

/// Loads, overrides, decodes and checks model files.
public enum ModelLoader {
    /// Loads the model at `path`. `overrides` maps dotted paths (`pools.prisma.size`) or shorthands
    /// (`instances`, `users`, `rate`, `pool.size`) to YAML values, applied before decoding.
    /// Throws `ModelErrors` (every problem found, each with file:line:column and key path).
    public static func load(path: String, overrides: [String: String] = [:]) throws(ModelErrors) -> LoadedModel {
        let text = try readModelText(path: path)
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try load(yaml: text, fileName: path, baseDirectory: dir, overrides: overrides)
    }

    /// The text of a model file (or, with `kind`, a claims file): refuses a directory, a device
    /// (`/dev/zero` read as 32 MB of zeros and was called too large), a file larger than
    /// `InputLimits.fileBytes` and bytes that are not UTF-8 (with the line and column of the first one).
    public static func readModelText(path: String, kind: String = "model file") throws(ModelErrors) -> String {
        func failure(_ message: String, line: Int? = nil, column: Int? = nil) -> ModelErrors {
            ModelErrors([ModelError(file: path, line: line, column: column, keyPath: "", message: message)])
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw failure("cannot read the \(kind): no such file")
        }
        if isDirectory.boolValue { throw failure("this is a directory, not a \(kind) (give the path of a .yaml file)") }
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFCHR || info.st_mode & S_IFMT == S_IFBLK {
            throw failure("this is a device, not a \(kind) (give the path of a .yaml file)")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw failure("cannot read the \(kind): \(String(cString: strerror(errno)))")
        }
        defer { try? handle.close() }
        let data: Data
        do {
            // One byte past the limit is enough to know the file is too large (a device never ends).
            data = try handle.read(upToCount: InputLimits.fileBytes + 1) ?? Data()
        } catch {
            throw failure("cannot read the \(kind): \(String(cString: strerror(EIO)))")
        }
        if data.count > InputLimits.fileBytes {
            throw failure("the file is larger than \(InputLimits.fileBytes / 1024 / 1024) MB, the limit for a \(kind)")
        }
        if let bad = InputLimits.invalidUTF8Position(data) {
            throw failure(String(format: "byte 0x%02X is not UTF-8: a \(kind) must be UTF-8 text", data[data.startIndex + bad.offset]),
                          line: bad.line, column: bad.column)
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Loads a model from YAML text. `fileName` is used in messages and as `Model.sourcePath`;
    /// relative `empirical(file:)` paths resolve against `baseDirectory` (default: `fileName`'s directory).
    public static func load(yaml: String, fileName: String, baseDirectory: String? = nil,
                            overrides: [String: String] = [:]) throws(ModelErrors) -> LoadedModel {
        try load(parse(yaml: yaml, fileName: fileName, baseDirectory: baseDirectory), overrides: overrides)
    }

    /// Parses a model file's YAML once (the file limits, syntax, aliases and merge keys), for
    /// loading it many times with different overrides: a sweep's cells (`load(_:overrides:)`).
    public static func parse(yaml: String, fileName: String, baseDirectory: String? = nil) throws(ModelErrors) -> ParsedModelFile {
        ParsedModelFile(tree: try TreeBuilder.parse(yaml: yaml, file: fileName), fileName: fileName,
                        baseDirectory: baseDirectory ?? URL(fileURLWithPath: fileName).deletingLastPathComponent().path)
    }

    /// Applies `overrides` to a parsed file's tree (a copy: the parsed file is unchanged), then
    /// decodes and checks it, as `load(yaml:...)` does.
    public static func load(_ parsed: ParsedModelFile, overrides: [String: String] = [:]) throws(ModelErrors) -> LoadedModel {
        let fileName = parsed.fileName
        var tree = parsed.tree
        try Overrides.apply(overrides, to: &tree, file: fileName)
        let decoder = ModelDecoder(file: fileName, baseDirectory: parsed.baseDirectory)
        let model = decoder.decode(tree)
        let diag = decoder.diag
        guard let model, diag.errors.isEmpty else {
            throw ModelErrors(sortedErrors(diag.errors) + diag.suppressedNote)
        }
        Checks.warnings(model, tree: tree, diag: diag)
        return LoadedModel(model: model, warnings: diag.warnings, tree: tree)
    }

    /// The numeric leaves of a model file that `--set` can change, with their current values.
    public static func overridableLeaves(path: String) throws(ModelErrors) -> [OverridableLeaf] {
        try load(path: path).overridableLeaves
    }

    /// Turns a shorthand or dotted override key into the full dotted path it addresses in this file
    /// (`instances` → `instances.count`, `pool.size` → `pools.prisma.size` when there is one pool).
    public static func resolveOverrideKey(_ key: String, yaml: String, fileName: String) throws(ModelErrors) -> String {
        let tree = try TreeBuilder.parse(yaml: yaml, file: fileName)
        return try Overrides.resolve(key, in: tree, file: fileName)
    }

    static func sortedErrors(_ errors: [ModelError]) -> [ModelError] {
        var seen = Set<ModelError>()
        let unique = errors.filter { seen.insert($0).inserted }
        return unique.enumerated().sorted { a, b in
            let la = a.element.line ?? Int.max, lb = b.element.line ?? Int.max
            if la != lb { return la < lb }
            let ca = a.element.column ?? 0, cb = b.element.column ?? 0
            if ca != cb { return ca < cb }
            return a.offset < b.offset
        }.map(\.element)
    }
}

/// A model file parsed into its YAML tree, not yet overridden or decoded (`ModelLoader.parse`).
public struct ParsedModelFile: Sendable {
    let tree: YNode
    public let fileName: String
    let baseDirectory: String
}

extension DistributionSpec {
    /// Parses the model's distribution syntax (`exp(20ms)`, `uniform(10ms, 30ms)`, a bare `20ms`, ...).
    public static func parse(_ text: String, baseDirectory: String? = nil) throws(ParseFailure) -> DistributionSpec {
        try DistributionParser.parse(text, baseDirectory: baseDirectory)
    }
}

extension CountSpec {
    /// Parses `5`, `const(5)`, `uniform(1, 10)`, `poisson(5)`, `geometric(mean: 5)`.
    public static func parse(_ text: String) throws(ParseFailure) -> CountSpec { try CountParser.parse(text) }
}
