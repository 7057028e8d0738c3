using System;
using System.IO;

namespace GLuCoSE;

/// <summary>Tells a full disk from other I/O errors, by the operating system's error code.</summary>
internal static class DiskErrors
{
    private const int WindowsDiskFull = unchecked((int)0x80070070);       // ERROR_DISK_FULL
    private const int WindowsHandleDiskFull = unchecked((int)0x80070027); // ERROR_HANDLE_DISK_FULL
    private const int UnixNoSpace = 28;                                   // ENOSPC
    private const int LinuxQuotaExceeded = 122;                           // EDQUOT
    private const int MacQuotaExceeded = 69;                              // EDQUOT

    public static bool IsDiskFull(IOException exception) => IsDiskFull(exception.HResult);

    internal static bool IsDiskFull(int hresult)
    {
        if (OperatingSystem.IsWindows())
        {
            return hresult is WindowsDiskFull or WindowsHandleDiskFull;
        }

        return hresult == UnixNoSpace || hresult == (OperatingSystem.IsMacOS() ? MacQuotaExceeded : LinuxQuotaExceeded);
    }
}
