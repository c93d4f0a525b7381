namespace FiberProduct.Cli;

/// <summary>The manual pages: one for the tool and one per command, in the sections of a man page.</summary>
internal static class Help
{
    private const string Inputs = """
        INPUT
            IMAGES TEXTS     two embedding sources, one row per item: a .npy array (N, d); one array of a .npz
                             archive, archive.npz:name (the name may be left out when it holds one array); a
                             list-of-floats column of a Parquet table, table.parquet:column (as Hugging Face
                             datasets store embeddings); or a 2-D dataset of an HDF5 file, file.h5:/dataset.
            --paired SOURCE  instead: an array of shape (2, N, d), images first (a.npy or a.npz:name), or two
                             columns or datasets of one file: table.parquet:images,texts or file.h5:/images,/texts.
            float32 stays float32 and float64 stays float64; integer arrays are refused (convert them yourself).

        """;

    private const string Common = """
            --metric M       euclidean (default), cosine (1 − cos θ) or angular (θ in radians).
            --threads N      at most N threads (default: one per processor).

        """;

    private const string Status = """
        EXIT STATUS
            0  success;  1  unreadable or invalid input (the message names the file);  2  a usage error;
            3  more pairs than --max-pairs;  130  cancelled (Ctrl+C).

        """;

    public static readonly IReadOnlyDictionary<string, string> Pages = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["fiberproduct"] = $$"""
            NAME
                fiberproduct - exact ε-approximate fiber products of image and text embeddings

            SYNOPSIS
                fiberproduct COMMAND [ARGUMENTS] [OPTIONS]
                fiberproduct help COMMAND  |  fiberproduct COMMAND --help

            DESCRIPTION
                The ε-approximate fiber product F_ε = {(i, j) : ‖f(P_i) − g(Q_j)‖ ≤ ε} of two embedded families, exact
                to the last pair: every pair is decided in real arithmetic on the stored values (float32 or float64).
                A front end to the FiberProduct .NET library for people working outside .NET; results are written as
                NumPy/SciPy .npz, .csv or .json files.

            COMMANDS
                count       |F_ε|, the number of pairs within ε.
                join        the pairs of F_ε (or each image's k nearest texts within ε), with their distances.
                profile     |F_ε| at many tolerances from one pass.
                decompose   Z = Z_s ⊕ Z_I ⊕ Z_T ⊕ Z_⊥: the shared and modality-specific subspaces of paired data.
                report      alignment of paired data: best F1 against shuffled pairings, retrieval, shared variance.

            {{Status}}
            SEE ALSO
                https://github.com/fiberproduct/FiberProduct/blob/main/docs/cli.md
            """,
        ["count"] = $"""
            NAME
                fiberproduct count - the number of pairs within ε

            SYNOPSIS
                fiberproduct count (IMAGES TEXTS | --paired FILE) --epsilon E [--metric M] [--threads N]

            DESCRIPTION
                Prints |F_ε|, the number of (image, text) pairs at distance at most E (closed: a pair at exactly E
                counts). E may be inf. Nothing is stored, so any size of F_ε is counted in bounded memory.

            {Inputs}
            OPTIONS
                --epsilon E      the tolerance, a number ≥ 0 or inf.
            {Common}
            {Status}
            EXAMPLES
                fiberproduct count images.npy texts.npy --epsilon 1.2
                fiberproduct count --paired clip.npy --epsilon 0.25 --metric cosine
            """,
        ["join"] = $"""
            NAME
                fiberproduct join - the pairs within ε, with their distances

            SYNOPSIS
                fiberproduct join (IMAGES TEXTS | --paired FILE) --epsilon E --output FILE [--nearest K]
                                  [--max-pairs N [--truncate]] [--metric M] [--threads N]
                fiberproduct join (IMAGES.npy TEXTS.npy | --paired FILE.npy) --epsilon E --shards DIR
                                  [--block-rows N] [--memory-limit BYTES] [--metric M] [--threads N]

            DESCRIPTION
                Writes F_ε as a sparse matrix: rows are images, columns texts, values the float64 distances (within
                a stated bound of the exact ones, never above E). A .npz output is a SciPy CSR matrix
                (scipy.sparse.load_npz reads it); .csv has image,text,distance rows; .json the same as arrays;
                .parquet a table with columns image, text, distance (pandas.read_parquet reads it).

            {Inputs}
            OPTIONS
                --epsilon E      the tolerance, a number ≥ 0 or inf.
                --output FILE    where to write: a .npz, .csv, .json or .parquet name.
                --nearest K      keep only each image's K nearest texts within ε (ties: the lower text index).
                --max-pairs N    refuse results with more than N pairs (default 100000000; exit status 3) ...
                --truncate       ... or keep the first N pairs in (image, text) order and say so.
                --shards DIR     out of core: read .npy files memory-mapped, join them block pair by block pair and
                                 write each pair's pairs as a CSR shard DIR/pairs-A-B.npz (block-local indices) with
                                 DIR/manifest.json; run again on the same DIR to resume after a crash.
                --block-rows N   rows per block, images and texts (default: from --memory-limit).
                --memory-limit B the memory one block pair may take, bytes or 512M, 2G (default: half of what the
                                 process may use).
            {Common}
            {Status}
            EXAMPLES
                fiberproduct join images.npy texts.npy --epsilon 1.2 --output pairs.npz
                python3 -c "import scipy.sparse as s; print(s.load_npz('pairs.npz').nnz)"
                fiberproduct join images.npy texts.npy --epsilon 1.2 --shards pairs/ --memory-limit 2G
            """,
        ["profile"] = $"""
            NAME
                fiberproduct profile - |F_ε| at many tolerances

            SYNOPSIS
                fiberproduct profile (IMAGES TEXTS | --paired FILE) (--epsilons A,B,... | --range FROM:TO:COUNT)
                                     [--output FILE] [--metric M] [--threads N]

            DESCRIPTION
                The step function ε ↦ |F_ε| at every given tolerance, from one pass over the data. Printed as
                epsilon,count lines, or written to a .npz, .csv or .json file.

            {Inputs}
            OPTIONS
                --epsilons LIST  tolerances separated by commas (inf allowed).
                --range F:T:C    C evenly spaced tolerances from F to T.
                --output FILE    a .npz, .csv or .json name (default: print CSV).
            {Common}
            {Status}
            EXAMPLES
                fiberproduct profile --paired clip.npy --range 0.8:1.4:61 --output profile.csv
            """,
        ["decompose"] = $"""
            NAME
                fiberproduct decompose - shared and modality-specific subspaces of paired embeddings

            SYNOPSIS
                fiberproduct decompose (IMAGES TEXTS | --paired FILE) --output FILE [--joint-rank R] [--seed S]

            DESCRIPTION
                Estimates Z = Z_s ⊕ Z_I ⊕ Z_T ⊕ Z_⊥ in the manner of AJIVE: each modality's signal subspace (Gavish-
                Donoho threshold), the joint directions where the two meet at an angle below the random-direction and
                Wedin bounds, and the rest. Row i of the images is paired with row i of the texts. Writes the bases,
                principal angles, variance shares and the modality gap.

            {Inputs}
            OPTIONS
                --output FILE    a .npz, .csv or .json name.
                --joint-rank R   fix the dimension of Z_s instead of choosing it from the data.
                --seed S         seed of the random directions (default 0): the same seed, the same result.

            {Status}
            EXAMPLES
                fiberproduct decompose --paired clip.npy --output decomposition.npz
            """,
        ["report"] = $"""
            NAME
                fiberproduct report - how well paired embeddings line up, each number beside its null

            SYNOPSIS
                fiberproduct report (IMAGES TEXTS | --paired FILE) [--permutations B] [--metric M] [--threads N]

            DESCRIPTION
                Row i of the images is paired with row i of the texts. Prints the best F1 of F_ε against the pairing
                with the same statistic under B shuffled pairings (p-value and the band holding 95 % of the draws);
                recall@1/5/10, mean reciprocal rank and median rank in both directions; and the ranks and variance
                shares of the decomposition. The best ε is chosen on the data, so its F1 is optimistic.

            {Inputs}
            OPTIONS
                --permutations B shuffled pairings for the null (default 199).
            {Common}
            {Status}
            EXAMPLES
                fiberproduct report --paired clip.npy
            """,
    };
}
