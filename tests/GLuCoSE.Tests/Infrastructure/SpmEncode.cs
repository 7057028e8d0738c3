using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;

namespace GLuCoSE.Tests.Infrastructure;

/// <summary>Runs the SentencePiece reference implementation, <c>spm_encode</c> (Debian package <c>sentencepiece</c>).</summary>
internal static class SpmEncode
{
    /// <summary>The full path of spm_encode on PATH, or null.</summary>
    public static string? Find()
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
        {
            string candidate = Path.Combine(dir, "spm_encode");
            if (dir.Length != 0 && File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Encodes each line (none may hold '\n') to SentencePiece ids with spm_encode.</summary>
    public static List<int[]> EncodeIds(string spmEncode, string modelPath, IReadOnlyList<string> lines)
    {
        string input = Path.GetTempFileName();
        try
        {
            using (var writer = new StreamWriter(input, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)))
            {
                writer.NewLine = "\n";
                foreach (string line in lines)
                {
                    if (line.Contains('\n', StringComparison.Ordinal))
                    {
                        throw new ArgumentException("spm_encode reads lines: a test string may not hold '\\n'.", nameof(lines));
                    }

                    writer.WriteLine(line);
                }
            }

            var start = new ProcessStartInfo(spmEncode)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                StandardOutputEncoding = Encoding.UTF8,
                UseShellExecute = false,
            };
            start.ArgumentList.Add($"--model={modelPath}");
            start.ArgumentList.Add("--output_format=id");
            start.ArgumentList.Add($"--input={input}");
            using Process process = Process.Start(start)!;
            string stdout = process.StandardOutput.ReadToEnd();
            string stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"spm_encode exited with {process.ExitCode}: {stderr}");
            }

            string[] outputLines = stdout.Split('\n');
            var result = new List<int[]>(lines.Count);
            for (int i = 0; i < lines.Count; i++)
            {
                string line = outputLines[i].Trim();
                result.Add(line.Length == 0 ? [] : Array.ConvertAll(line.Split(' '), int.Parse));
            }

            return result;
        }
        finally
        {
            File.Delete(input);
        }
    }
}
