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
-0.03 16.9955938 16.8016363 17.1895513
0.97 182.338939 166.147728 198.53015
1.97 321.71243 307.456271 335.968589
EOD
$d1 << EOD
0.03 18.9582666 18.6802115 19.2363217
1.03 97.8906664 96.8487773 98.9325555
2.03 184.141421 167.102639 201.180203
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
