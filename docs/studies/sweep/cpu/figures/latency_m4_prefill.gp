set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m4_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Prefill latency (TTFT) (ms), mean with 95% CI'
set title 'gpt2: prefill, prefill_latency_ms'
$d0 << EOD
-0.03 22.1185754 10.0300132 34.2071376
0.97 235.704898 172.778281 298.631516
1.97 357.791914 332.21744 383.366389
EOD
$d1 << EOD
0.03 19.0569626 18.7166315 19.3972937
1.03 98.6452842 96.6263345 100.664234
2.03 182.432982 170.859786 194.006179
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
