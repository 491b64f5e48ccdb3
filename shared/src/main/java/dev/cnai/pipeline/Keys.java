package dev.cnai.pipeline;

/** Deterministic object keys of a run: every output is addressed by (run, round, shard). */
final class Keys {
    private Keys() {
    }

    static String plan(String run) {
        return "runs/" + run + "/plan.json";
    }

    static String prepared(String run) {
        return "runs/" + run + "/prepared.json";
    }

    static String shardData(String run, int shard) {
        return "runs/" + run + "/data/shard-" + shard + ".bin";
    }

    static String split(String run, String name) {
        return "runs/" + run + "/data/" + name + ".bin";
    }

    static String globalWeights(String run, int round) {
        return "runs/" + run + "/rounds/" + round + "/global.weights";
    }

    static String shardWeights(String run, int round, int shard) {
        return "runs/" + run + "/rounds/" + round + "/shard-" + shard + ".weights";
    }

    static String shardResult(String run, int round, int shard) {
        return "runs/" + run + "/rounds/" + round + "/shard-" + shard + ".json";
    }

    static String reportsPrefix(String run, int round) {
        return "runs/" + run + "/rounds/" + round + "/reports/";
    }

    static String report(String run, int round, int shard) {
        return reportsPrefix(run, round) + "shard-" + shard + ".json";
    }

    static String averaged(String run, int round) {
        return "runs/" + run + "/rounds/" + round + "/averaged.weights";
    }

    static String roundResult(String run, int round) {
        return "runs/" + run + "/rounds/" + round + "/result.json";
    }

    static String model(String run) {
        return "runs/" + run + "/model/model.onnx";
    }

    static String evaluated(String run) {
        return "runs/" + run + "/model/evaluated.json";
    }

    static String registration(String run) {
        return "runs/" + run + "/registration.json";
    }
}
