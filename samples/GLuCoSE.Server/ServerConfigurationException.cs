namespace GLuCoSE.Server;

/// <summary>A setting is missing, contradicts another, or is out of range; the message names it.</summary>
internal sealed class ServerConfigurationException : Exception
{
    public ServerConfigurationException()
    {
    }

    public ServerConfigurationException(string message)
        : base(message)
    {
    }

    public ServerConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
