"""Label Studio: the local server, label configs made from schemes, push, pull, agreement."""
