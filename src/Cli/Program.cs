using System.Text;
using LkmKit.Cli;

var encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
using var stdout = new StreamWriter(Console.OpenStandardOutput(), encoding, 1 << 16) { AutoFlush = false };
using var stderr = new StreamWriter(Console.OpenStandardError(), encoding) { AutoFlush = true };
return LkmApp.Run(args, stdout, stderr);
