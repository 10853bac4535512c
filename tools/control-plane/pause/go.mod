// The pod sandbox's pause process.
module roast-operator/tools/control-plane/pause

go 1.26.0
