// placeholder.cpp: replaced by the recorder's sources.
