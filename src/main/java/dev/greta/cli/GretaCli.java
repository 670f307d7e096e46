package dev.greta.cli;

public final class GretaCli {
    public static void main(String[] args) {
        System.out.println("greta");
    }
}
