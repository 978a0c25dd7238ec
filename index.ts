// The Pulumi program of this repository's project (Pulumi.yaml): the main example.
import { declareLibraries } from "./examples/main";

export = declareLibraries();
