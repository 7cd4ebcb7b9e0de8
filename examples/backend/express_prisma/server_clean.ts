import express from "express";
import axios from "axios";
import { z } from "zod";
import { PrismaClient } from "@prisma/client";

const prisma = new PrismaClient();
const app = express();
app.use(express.json());

const NewOrder = z.object({ userId: z.number(), total: z.number() });

app.get("/orders/:id", async (req, res, next) => {
  try {
    const order = await prisma.purchase.findUnique({ where: { id: Number(req.params.id) } });
    if (!order) return res.status(404).json({ error: "not found" });
    res.json({ id: order.id, total: order.total });
  } catch (err) {
    next(err);
  }
});

app.post("/orders", async (req, res, next) => {
  try {
    const parsed = NewOrder.safeParse(req.body);
    if (!parsed.success) return res.status(400).json({ error: parsed.error.flatten() });
    const order = await prisma.purchase.create({ data: { ...parsed.data, status: "new" } });
    res.status(201).json(order);
  } catch (err) {
    next(err);
  }
});

app.get("/orders", async (req, res, next) => {
  try {
    const page = parseInt(req.query.page as string, 10);
    if (Number.isNaN(page)) return res.status(400).json({ error: "page must be a number" });
    const orders = await prisma.purchase.findMany({ skip: page * 20, take: 20 });
    res.json(orders);
  } catch (err) {
    next(err);
  }
});

app.post("/import", (req, res) => {
  let rows;
  try {
    rows = JSON.parse(req.body.csv);
  } catch {
    return res.status(400).json({ error: "malformed JSON" });
  }
  res.json({ count: rows.length });
});

app.get("/rates", async (req, res, next) => {
  try {
    const { data } = await axios.get("https://rates.example.com/latest", { timeout: 5_000 });
    res.json(data);
  } catch (err) {
    next(err);
  }
});

app.listen(3000);
