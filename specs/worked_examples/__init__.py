"""The note's worked examples, one file each, with local stand-ins for the network (EX)."""
