set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m5_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Time per output token (TPOT) (ms), mean with 95% CI'
set title 'gpt2-medium: decode, tpot_ms'
$d0 << EOD
-0.03 25.790084 24.9214083 26.6587597
0.97 26.6504799 25.9919548 27.3090051
1.97 36.4608299 36.0139825 36.9076773
EOD
$d1 << EOD
0.03 34.433132 33.7997819 35.0664821
1.03 39.2843068 34.6025968 43.9660168
2.03 47.9196338 46.9663791 48.8728886
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
