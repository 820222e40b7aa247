set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'latency_m4_decode.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set ylabel 'Time per output token (TPOT) (ms), mean with 95% CI'
set title 'gpt2: decode, tpot_ms'
$d0 << EOD
-0.03 13.301959 9.75071889 16.853199
0.97 14.9030733 11.7462668 18.0598798
1.97 22.1981922 19.8905709 24.5058136
EOD
$d1 << EOD
0.03 14.6278999 13.8666333 15.3891665
1.03 15.3499539 14.5878044 16.1121034
2.03 19.8459084 19.0328288 20.658988
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
